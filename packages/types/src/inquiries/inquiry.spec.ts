import { inquirySubmitSchema } from './inquiry';

describe('inquirySubmitSchema', () => {
  it.each([undefined, null, 5, 'text', [], true])(
    'refuses %p as a submission without throwing (found by the fuzz suite: a body-less POST /inquiries answered 500)',
    (input) => {
      const result = inquirySubmitSchema.safeParse(input);
      expect(result.success).toBe(false);
    },
  );

  it('still refuses an object with missing fields, naming them', () => {
    const result = inquirySubmitSchema.safeParse({ category: 'media', fields: { outlet: 5 } });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['name', 'email']));
  });

  it.each(['other', 'media'] as const)(
    'refuses an unknown field of the %s category, naming it, without throwing (the fuzz suite: zod runs the transform past an unrecognized key, and POST /inquiries answered 500)',
    (category) => {
      const valid = {
        name: 'Aiko Sato',
        email: 'aiko@example.org',
        language: 'en',
        subject: 'Exchange',
        message: 'Hello',
        category,
        fields: category === 'media' ? { outlet: 'Nikkei', surplus: 1 } : { surplus: 1 },
      };
      const result = inquirySubmitSchema.safeParse(valid);
      expect(result.success).toBe(false);
      expect(result.error?.issues).toEqual([
        expect.objectContaining({ code: 'unrecognized_keys', keys: ['surplus'], path: ['fields'] }),
      ]);
    },
  );

  it('keeps the parsed category fields on a valid submission', () => {
    const result = inquirySubmitSchema.parse({
      name: 'Aiko Sato',
      email: 'aiko@example.org',
      language: 'ja',
      subject: '取材',
      message: 'よろしくお願いします',
      category: 'media',
      fields: { outlet: ' Nikkei ', deadline: '2027-01-15' },
    });
    expect(result.fields).toEqual({ outlet: 'Nikkei', deadline: '2027-01-15' });
  });
});
