import { describe, expect, it } from 'vitest';
import { parseRoster } from '../../../src/extension/roster';

describe('parseRoster (roster.csv for Preview Assignment as Student…)', () => {
  it('reads the id column whatever its place and case, with names, quoted fields and a BOM', () => {
    expect(parseRoster('\uFEFFname,Student_ID\r\n"Lovelace, Ada",s001\r\nAlan Turing,s002\r\n\r\n')).toEqual({
      students: [
        { id: 's001', name: 'Lovelace, Ada' },
        { id: 's002', name: 'Alan Turing' },
      ],
    });
    expect(parseRoster('sis_id\n"a""b"\n')).toEqual({ students: [{ id: 'a"b' }] });
  });

  it('keeps the file order and each id once', () => {
    expect(parseRoster('id\ns2\ns1\ns2\n')).toEqual({ students: [{ id: 's2' }, { id: 's1' }] });
  });

  it('a roster without an id column, or a row without an id, is a problem naming it', () => {
    expect(parseRoster('student,email\nx,y\n')).toEqual({ problem: 'Expected a header row with an "id" (or "student_id", "sis_id") column, found "student,email".' });
    expect(parseRoster('')).toEqual({ problem: 'Expected a header row with an "id" (or "student_id", "sis_id") column, found an empty first line.' });
    expect(parseRoster('name,id\nAda,s1\nBob,\n')).toEqual({ problem: 'Expected a student id in row 3, found none.' });
  });
});
