import { bulkFormatFor, csvField } from './bulk-export.format';

describe('bulk export format', () => {
  it('quotes fields with commas, quotes and newlines', () => {
    expect(csvField('山田, 太郎')).toBe('"山田, 太郎"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
  });

  it('defuses spreadsheet formulas', () => {
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('+1')).toBe("'+1");
  });

  it('chooses NDJSON only when asked', () => {
    expect(bulkFormatFor('application/x-ndjson')).toBe('ndjson');
    expect(bulkFormatFor('text/csv')).toBe('csv');
    expect(bulkFormatFor(undefined)).toBe('csv');
  });
});
