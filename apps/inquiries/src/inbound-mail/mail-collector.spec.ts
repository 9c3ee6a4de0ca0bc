import { mailCollector } from './inbound-mail.listener';

describe('mailCollector', () => {
  it('keeps a mail up to the limit whole', () => {
    const mail = mailCollector(10);
    mail.add(Buffer.from('hello '));
    mail.add(Buffer.from('mail'));
    expect(mail.bytes()?.toString()).toBe('hello mail');
  });

  it('holds nothing of a mail 50 times over the limit, however long it goes on', () => {
    const max = 1024;
    const mail = mailCollector(max);
    let most = 0;
    for (let i = 0; i < 50 * 16; i++) {
      mail.add(Buffer.alloc(64, 0x61));
      most = Math.max(most, mail.held);
    }
    expect(most).toBeLessThanOrEqual(max);
    expect(mail.held).toBe(0);
    expect(mail.bytes()).toBeUndefined();
  });
});
