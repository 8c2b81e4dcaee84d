// Text files embedded by esbuild (loader "text"): the exercise templates.
declare module '*.nn' {
  const text: string;
  export default text;
}
declare module '*.md' {
  const text: string;
  export default text;
}
