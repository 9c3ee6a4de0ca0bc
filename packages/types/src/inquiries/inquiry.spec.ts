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
});
