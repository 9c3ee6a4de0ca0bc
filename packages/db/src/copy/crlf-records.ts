/**
 * Turns the `\n` record ends of Postgres's CSV (`COPY … (format csv)` cannot write CRLF) into
 * RFC 4180's `\r\n`, chunk by chunk, and counts the records. A `\n` inside a quoted field is
 * data and stays as it is; quotes inside a quoted field are doubled (`""`), which toggles the
 * quoted state twice and so needs no special case.
 */
export class CrlfRecords {
  private quoted = false;
  private records = 0;

  convert(chunk: Buffer): Buffer {
    let ends = 0;
    let quoted = this.quoted;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte === QUOTE) quoted = !quoted;
      else if (byte === LF && !quoted) ends++;
    }
    if (ends === 0) {
      this.quoted = quoted;
      return chunk;
    }
    const out = Buffer.allocUnsafe(chunk.length + ends);
    let at = 0;
    let from = 0;
    quoted = this.quoted;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte === QUOTE) quoted = !quoted;
      else if (byte === LF && !quoted) {
        at += chunk.copy(out, at, from, i);
        out[at++] = CR;
        out[at++] = LF;
        from = i + 1;
      }
    }
    chunk.copy(out, at, from);
    this.quoted = quoted;
    this.records += ends;
    return out;
  }

  /** The records ended since the last call. */
  takeRecords(): number {
    const n = this.records;
    this.records = 0;
    return n;
  }
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
