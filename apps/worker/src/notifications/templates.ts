import { type EmailSend, type EmailTemplate, type Language, toOneLine } from '@sp/types';

type Data = EmailSend['data'];
type Rendered = { subject: string; text: string };
type Template = Record<Language, (d: (key: string) => string) => Rendered>;

/** Subject and plain text per kind of message and language; HTML is derived from the text. */
const templates: Record<EmailTemplate, Template> = {
  'inquiry-received': {
    en: (d) => ({
      subject: `We received your inquiry ${d('reference')}`,
      text: `Dear ${d('name')},\n\nThank you for contacting the International Projects Promotion Group. Your inquiry has the reference ${d('reference')}; we will answer as soon as we can.\n\nYou can follow it here: ${d('statusUrl')}`,
    }),
    ja: (d) => ({
      subject: `お問い合わせを受け付けました（${d('reference')}）`,
      text: `${d('name')} 様\n\n国際化推進グループへお問い合わせいただき、ありがとうございます。受付番号は ${d('reference')} です。担当者より追ってご連絡いたします。\n\n状況の確認: ${d('statusUrl')}`,
    }),
  },
  'inquiry-reply': {
    en: (d) => ({
      subject: `Re: your inquiry ${d('reference')}`,
      text: `Dear ${d('name')},\n\n${d('body')}`,
    }),
    ja: (d) => ({
      subject: `Re: お問い合わせ（${d('reference')}）`,
      text: `${d('name')} 様\n\n${d('body')}`,
    }),
  },
  'inquiry-merged': {
    en: (d) => ({
      subject: `Your inquiry ${d('reference')} continues as ${d('into')}`,
      text: `Dear ${d('name')},\n\nYour inquiry ${d('reference')} concerns the same matter as inquiry ${d('into')}, so we have joined them: we will answer you under ${d('into')}. You need not do anything: the status link you have shows it, under its new reference.`,
    }),
    ja: (d) => ({
      subject: `お問い合わせ（${d('reference')}）は ${d('into')} として対応いたします`,
      text: `${d('name')} 様\n\nお問い合わせ ${d('reference')} は ${d('into')} と同じ内容のため、一つにまとめました。今後は ${d('into')} としてご回答いたします。お手続きは不要です。お手元の状況確認リンクから、新しい受付番号で引き続きご確認いただけます。`,
    }),
  },
  'registration-confirmed': {
    en: (d) => ({
      subject: `Your place at ${d('symposium')} is confirmed`,
      text: `Dear ${d('name')},\n\nYour registration for ${d('symposium')} on ${d('date')} is confirmed.\n\nYour check-in code: ${d('checkInCode')}\nShow it, or its QR code (${d('qrUrl')}), at the entrance.\n\nView or cancel your registration: ${d('manageUrl')}\nKeep this link to yourself: anyone who has it can cancel your place.`,
    }),
    ja: (d) => ({
      subject: `${d('symposium')} 参加登録完了のお知らせ`,
      text: `${d('name')} 様\n\n${d('date')} 開催の${d('symposium')}への参加登録が完了しました。\n\nチェックインコード: ${d('checkInCode')}\n当日受付でこのコード、またはQRコード（${d('qrUrl')}）をご提示ください。\n\n登録内容の確認・取消: ${d('manageUrl')}\nこのリンクは他の方と共有しないでください。`,
    }),
  },
  'registration-waitlisted': {
    en: (d) => ({
      subject: `You are on the waiting list for ${d('symposium')}`,
      text: `Dear ${d('name')},\n\n${d('symposium')} is full; you are number ${d('position')} on the waiting list. We will write as soon as a place frees up.\n\nView or cancel your registration: ${d('manageUrl')}`,
    }),
    ja: (d) => ({
      subject: `${d('symposium')} キャンセル待ちのお知らせ`,
      text: `${d('name')} 様\n\n${d('symposium')}は満席のため、キャンセル待ち ${d('position')} 番目として承りました。空きが出ましたらご連絡いたします。\n\n登録内容の確認・取消: ${d('manageUrl')}`,
    }),
  },
  'registration-promoted': {
    en: (d) => ({
      subject: `A place at ${d('symposium')} is yours`,
      text: `Dear ${d('name')},\n\nA place has freed up: your registration for ${d('symposium')} on ${d('date')} is now confirmed.\n\nYour check-in code: ${d('checkInCode')}\nShow it, or its QR code (${d('qrUrl')}), at the entrance.\n\nView or cancel your registration: ${d('manageUrl')}`,
    }),
    ja: (d) => ({
      subject: `${d('symposium')} 参加確定のお知らせ`,
      text: `${d('name')} 様\n\n空きが出たため、${d('date')} 開催の${d('symposium')}への参加が確定しました。\n\nチェックインコード: ${d('checkInCode')}\n当日受付でこのコード、またはQRコード（${d('qrUrl')}）をご提示ください。\n\n登録内容の確認・取消: ${d('manageUrl')}`,
    }),
  },
  'registration-cancelled': {
    en: (d) => ({
      subject: `Your registration for ${d('symposium')} is cancelled`,
      text: `Dear ${d('name')},\n\nYour registration for ${d('symposium')} has been cancelled.`,
    }),
    ja: (d) => ({
      subject: `${d('symposium')} 参加登録取消のお知らせ`,
      text: `${d('name')} 様\n\n${d('symposium')}への参加登録を取り消しました。`,
    }),
  },
  'registration-reminder': {
    en: (d) => ({
      subject: `Reminder: ${d('symposium')} on ${d('date')}`,
      text: `Dear ${d('name')},\n\nThis is a reminder that ${d('symposium')} takes place on ${d('date')}.\n\nYour check-in code: ${d('checkInCode')} (QR code: ${d('qrUrl')})\n\nIf you can no longer attend, please cancel so that someone on the waiting list can take your place: ${d('manageUrl')}`,
    }),
    ja: (d) => ({
      subject: `【リマインダー】${d('date')} ${d('symposium')}`,
      text: `${d('name')} 様\n\n${d('date')} に${d('symposium')}が開催されます。\n\nチェックインコード: ${d('checkInCode')}（QRコード: ${d('qrUrl')}）\n\nご都合が悪くなった場合は、キャンセル待ちの方のために登録の取消をお願いいたします: ${d('manageUrl')}`,
    }),
  },
  'agreement-expiring': {
    en: (d) => ({
      subject: `Agreement with ${d('partner')} expires in ${d('daysLeft')} days (${d('expiresOn')})`,
      text: `Dear ${d('name')},\n\nThe agreement "${d('agreement')}" with ${d('partner')} expires on ${d('expiresOn')}, in ${d('daysLeft')} days. Please plan its renewal with the partner, or record that it is to end.\n\nThis is the ${d('threshold')}-day reminder from the partner registry of the Strategic Partnerships Project.`,
    }),
    ja: (d) => ({
      subject: `${d('partner')}との協定が${d('expiresOn')}に満了します（残り${d('daysLeft')}日）`,
      text: `${d('name')} 様\n\n${d('partner')}との協定「${d('agreement')}」は${d('expiresOn')}に満了します（残り${d('daysLeft')}日）。更新の要否をご検討のうえ、相手校と調整をお願いいたします。\n\n戦略的パートナーシップ・プロジェクトのパートナー台帳からの${d('threshold')}日前のお知らせです。`,
    }),
  },
  'report-ready': {
    en: (d) => ({
      subject: `Your report is ready: ${d('title')}`,
      text: `The report "${d('title')}" is ready: ${d('url')}`,
    }),
    ja: (d) => ({
      subject: `レポートが作成されました：${d('title')}`,
      text: `レポート「${d('title')}」が作成されました。${d('url')}`,
    }),
  },
  'sla-overdue': {
    en: (d) => ({
      subject: `Overdue: inquiry ${d('reference')}`,
      text: `Inquiry ${d('reference')} has passed its ${d('sla')} deadline (${d('dueAt')}).`,
    }),
    ja: (d) => ({
      subject: `対応期限超過：${d('reference')}`,
      text: `お問い合わせ ${d('reference')} は${d('sla')}の期限（${d('dueAt')}）を過ぎています。`,
    }),
  },
};

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** Templates a person writes (a staff reply); every other mail is sent by the system. */
const WRITTEN_BY_STAFF = new Set<EmailTemplate>(['inquiry-reply']);

/** Whether a mail of this template is automatic (`Auto-Submitted: auto-generated`). */
export const isAutomatic = (template: EmailTemplate): boolean => !WRITTEN_BY_STAFF.has(template);

/** The data keys whose values may run over several lines (a staff reply). */
const MULTI_LINE = new Set(['body']);

/** A template asked for data the job does not carry: retrying cannot help. */
export class MissingTemplateData extends Error {
  constructor(
    readonly template: EmailTemplate,
    readonly missing: string[],
  ) {
    super(`template ${template} needs data the job lacks: ${missing.join(', ')}`);
    this.name = 'MissingTemplateData';
  }
}

/**
 * Renders a message. Every field the template uses must be in `data` (not null, not blank):
 * a mail with a hole where a name or a reference belongs is never sent; `MissingTemplateData`
 * names what is missing. Keys the template does not use are ignored.
 */
export function render(
  template: EmailTemplate,
  locale: Language,
  data: Data,
): Rendered & { html: string } {
  const missing = new Set<string>();
  const value = (key: string) => {
    const v = data[key];
    const raw = v === undefined || v === null ? '' : String(v);
    // Only a staff reply's body has paragraphs; anything else (a name, a title) stays on its
    // line, whatever a job made before the contracts refused line breaks carries.
    const text = MULTI_LINE.has(key) ? raw : toOneLine(raw);
    if (text.trim() === '') missing.add(key);
    return text;
  };
  const { subject, text } = templates[template][locale](value);
  if (missing.size > 0) throw new MissingTemplateData(template, [...missing]);
  const html = `<!doctype html><html lang="${locale}"><meta charset="utf-8"><body>${text
    .split('\n\n')
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('')}</body></html>`;
  return { subject, text, html };
}
