import { withoutQuotedReply } from './quoted-reply';

describe('withoutQuotedReply', () => {
  it('drops the quoted mail under an English attribution line', () => {
    const mail =
      'Thank you, Tuesday works.\n\nOn Tue, 1 Dec 2026 at 10:00, IPPG <ippg@example.ac.jp> wrote:\n> Could you visit on Tuesday?\n> \n> Best regards\n';
    expect(withoutQuotedReply(mail)).toBe('Thank you, Tuesday works.');
  });

  it('drops the quoted mail under a Japanese attribution line', () => {
    const mail =
      '承知しました。\r\n\r\n2026年12月1日(火) 10:00 国際化推進グループ <ippg@example.ac.jp>:\r\n> 火曜日はいかがでしょうか。\r\n';
    expect(withoutQuotedReply(mail)).toBe('承知しました。');
  });

  it('drops an Outlook original message', () => {
    const mail =
      'See the attached programme.\n\n-----Original Message-----\nFrom: IPPG\nSubject: Re: INQ-2026-000001\n\nCould you send it?';
    expect(withoutQuotedReply(mail)).toBe('See the attached programme.');
  });

  it('drops a trailing block of quoted lines without attribution', () => {
    expect(withoutQuotedReply('Yes.\n> Shall we?\n>\n> IPPG')).toBe('Yes.');
  });

  it('keeps inline answers, and a mail that is all quote', () => {
    const inline = '> Which campus?\nHongo, please.\n> Which day?\nTuesday.';
    expect(withoutQuotedReply(inline)).toBe(inline);
    expect(withoutQuotedReply('> only a quote')).toBe('> only a quote');
    expect(withoutQuotedReply('No quote at all.\n')).toBe('No quote at all.');
  });
});
