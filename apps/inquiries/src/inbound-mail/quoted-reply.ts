/** An attribution line a mail client puts above the message it quotes. */
const ATTRIBUTION = [
  /^On .{1,300} wrote:\s*$/i, // Gmail, Apple Mail, Thunderbird (English)
  /^.{0,200}\d{4}年\d{1,2}月\d{1,2}日.{0,200}[:：]\s*$/, // Gmail, Outlook (Japanese)
  /^-{2,}\s*Original Message\s*-{2,}\s*$/i, // Outlook
  /^-{2,}\s*元のメッセージ\s*-{2,}\s*$/,
];

const isQuote = (line: string) => line.trimStart().startsWith('>');

/**
 * The new text of a reply, without the earlier mail it quotes at its end: from an attribution
 * line ("On … wrote:", "2026年12月2日 … :", "-----Original Message-----") or a final block of
 * `>` lines to the end. Conservative: text after a quote (an inline answer) keeps everything,
 * and a mail that would be left empty is kept whole.
 */
export function withoutQuotedReply(text: string): string {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  let end = lines.length;
  while (end > 0 && lines[end - 1]?.trim() === '') end--;
  // The trailing run of quoted (or blank) lines.
  let start = end;
  while (start > 0 && (isQuote(lines[start - 1] ?? '') || lines[start - 1]?.trim() === '')) start--;
  const attribution = (line: string | undefined) =>
    line !== undefined && ATTRIBUTION.some((re) => re.test(line.trim()));
  let cut: number | undefined;
  if (start > 0 && attribution(lines[start - 1])) cut = start - 1;
  else if (start < end) cut = start;
  // Outlook puts no `>` before the quoted mail: everything after its marker goes.
  const marker = lines.findIndex((l) =>
    /^-{2,}\s*(Original Message|元のメッセージ)\s*-{2,}\s*$/i.test(l.trim()),
  );
  if (marker >= 0 && (cut === undefined || marker < cut)) cut = marker;
  if (cut === undefined) return text.trim();
  const kept = lines.slice(0, cut).join('\n').trim();
  return kept || text.trim();
}
