/**
 * The paths a document's file-reading calls name as string literals (`load_csv("data.csv")`,
 * its aliases, with or without a module prefix or `path=`), in order, without repeats: what the
 * browser build's host reads through workspace.fs for the worker (files.ts). Pure (no vscode
 * import). A match in a comment only costs a read the policy allows anyway.
 */
export function literalPaths(text: string): string[] {
  const re = /\b(?:load_csv|read_csv|loadtxt|genfromtxt)\s*\(\s*(?:(?:path|fname)\s*=\s*)?(["'])([^"'\r\n]*)\1/g;
  const out = new Set<string>();
  for (let m = re.exec(text); m; m = re.exec(text)) out.add(m[2]);
  return [...out];
}
