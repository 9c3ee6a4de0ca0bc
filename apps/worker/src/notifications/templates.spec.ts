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

describe('one-line values', () => {
  const forged =
    'Aiko\n\nACTION REQUIRED: pay the fee at https://pay.example/confirm\u2028\u202Eevil\r\nRegards';

  it('keep a name on its line: no paragraph of a stranger’s in the mail, text or HTML', () => {
    const mail = render('inquiry-received', 'en', {
      name: forged,
      reference: 'INQ-2026-000003',
      statusUrl: 'https://sp.example/inquiries/status/t',
    });
    const greeting = mail.text.split('\n')[0];
    expect(greeting).toBe(
      'Dear Aiko ACTION REQUIRED: pay the fee at https://pay.example/confirm evil Regards,',
    );
    expect(mail.text.split('\n\n')).toHaveLength(3);
    expect(mail.html.match(/<p>/g)).toHaveLength(3);
  });

  it('leave a staff reply’s paragraphs as they are', () => {
    const mail = render('inquiry-reply', 'en', {
      name: 'Aiko',
      reference: 'INQ-2026-000003',
      body: 'First.\n\nSecond,\nstill second.',
    });
    expect(mail.text).toBe('Dear Aiko,\n\nFirst.\n\nSecond,\nstill second.');
    expect(mail.html).toContain('<p>Second,<br>still second.</p>');
  });
});
