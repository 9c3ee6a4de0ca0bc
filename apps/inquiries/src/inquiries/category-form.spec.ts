import { categoryFieldSchemas, inquiryCategories } from '@sp/types';
import { formFieldsOf, inquiryForm } from './category-form';

describe('the inquiry form', () => {
  it('lists every category with labels in both languages', () => {
    const form = inquiryForm({ contentTypes: [], maxFileBytes: 1, maxFiles: 1, maxTotalBytes: 1 });
    expect(form.categories.map((c) => c.category)).toEqual([...inquiryCategories]);
    for (const c of form.categories) {
      expect(c.label.en).toBeTruthy();
      expect(c.label.ja).toBeTruthy();
      for (const f of c.fields) expect(f.label.en !== f.name && f.label.ja !== f.name).toBe(true);
    }
    expect(form.honeypot).toBe('website');
  });

  it("draws a category's fields from its schema: types, required, options and labels", () => {
    expect(formFieldsOf('mobility')).toEqual([
      {
        name: 'direction',
        type: 'choice',
        required: true,
        label: { en: 'Direction', ja: '方向' },
        options: [
          { value: 'to-utokyo', label: { en: 'Coming to UTokyo', ja: '東京大学への受入れ' } },
          { value: 'from-utokyo', label: { en: 'Going from UTokyo', ja: '東京大学からの派遣' } },
        ],
      },
      expect.objectContaining({ name: 'level', type: 'choice', required: true }),
      expect.objectContaining({
        name: 'homeInstitution',
        type: 'text',
        required: false,
        maxLength: 200,
      }),
      expect.objectContaining({ name: 'startsOn', type: 'date', required: false }),
    ]);
    expect(formFieldsOf('symposium')).toContainEqual(
      expect.objectContaining({ name: 'edition', type: 'integer', required: false }),
    );
    expect(formFieldsOf('partnership-proposal')).toContainEqual(
      expect.objectContaining({ name: 'institutionWebsite', type: 'url' }),
    );
    expect(formFieldsOf('other')).toEqual([]);
  });

  it('publishes exactly the fields the schema accepts', () => {
    for (const category of inquiryCategories) {
      expect(formFieldsOf(category).map((f) => f.name)).toEqual(
        Object.keys(categoryFieldSchemas[category].shape),
      );
    }
  });
});
