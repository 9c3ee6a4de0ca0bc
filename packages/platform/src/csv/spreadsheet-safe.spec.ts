import { fromSpreadsheetSafe, spreadsheetSafe } from './spreadsheet-safe';

it('puts an apostrophe before what a spreadsheet would run, and nothing else', () => {
  for (const formula of ['=1+1', '+81 3 1234', '-1', '@SUM(A1)', '\tx', '\rx'])
    expect(spreadsheetSafe(formula)).toBe(`'${formula}`);
  for (const text of ['Oxford', "'quoted'", 'a=b', '', ' =1'])
    expect(spreadsheetSafe(text)).toBe(text);
});

it('takes the apostrophe off again on the way in, and only that one', () => {
  for (const text of ['=1+1', '-1', '@x', 'Oxford', "'quoted'", "''=x"])
    expect(fromSpreadsheetSafe(spreadsheetSafe(text))).toBe(text);
  expect(fromSpreadsheetSafe("'Oxford")).toBe("'Oxford");
});
