import { MissingTemplateData, render } from './templates';

describe('the inquiry-merged template', () => {
  const data = { name: 'Hanako', reference: 'INQ-2026-000002', into: 'INQ-2026-000001' };

  it('tells the inquirer, in their language, which reference the inquiry continues under', () => {
    const en = render('inquiry-merged', 'en', data);
    expect(en.subject).toBe('Your inquiry INQ-2026-000002 continues as INQ-2026-000001');
    expect(en.text).toContain('we will answer you under INQ-2026-000001');
    const ja = render('inquiry-merged', 'ja', data);
    expect(ja.subject).toContain('INQ-2026-000002');
    expect(ja.text).toContain('Hanako 様');
    expect(ja.text).toContain('INQ-2026-000001');
  });

  it('sends nothing without the reference it continues under', () => {
    expect(() => render('inquiry-merged', 'en', { ...data, into: null })).toThrow(
      MissingTemplateData,
    );
  });
});
