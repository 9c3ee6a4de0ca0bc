// queue-email: the record of every message of a run.

/**
 * Every message of the run, by its reference number (`BENCH-<n>` in the subject; each phase
 * takes the next range of numbers): when its job was committed, when (and how often) its mail
 * arrived, the mail's Message-ID and size. Typed arrays: 40,000+ messages, no garbage.
 */
export class Ledger {
  constructor(size) {
    this.size = size;
    this.commitAt = new Float64Array(size);
    this.arrivedAt = new Float64Array(size);
    this.copies = new Uint32Array(size);
    this.bytes = new Uint32Array(size);
    this.messageIds = new Array(size);
    /** Which side and phase each range belongs to. */
    this.ranges = [];
    this.next = 0;
    this.strays = [];
    this.current = undefined;
  }

  /** The next `count` reference numbers, for one phase of one side. */
  allocate(target, phase, count) {
    const first = this.next;
    if (first + count > this.size) throw new Error('ledger too small');
    this.next += count;
    this.current = { target: target.key, phase, first, end: first + count, received: 0 };
    this.ranges.push(this.current);
    return this.current;
  }

  /** Called by the sink for each message; cheap, since it runs once per mail. */
  receive({ head, bytes, at }) {
    // Header lines may be folded (nodemailer folds a long Message-ID onto the next line).
    const ref = /^subject:(?:[^\r\n]|\r?\n[ \t])*?BENCH-(\d+)/im.exec(head)?.[1];
    const n = ref === undefined ? -1 : Number(ref);
    if (n < 0 || n >= this.next) {
      if (this.strays.length < 1000) this.strays.push(head.slice(0, 500));
      return;
    }
    if (this.copies[n]++ > 0) return;
    this.arrivedAt[n] = at;
    this.bytes[n] = bytes;
    this.messageIds[n] = /^message-id:\s*(<[^>]*>)/im.exec(head)?.[1];
    const current = this.current;
    if (current && n >= current.first && n < current.end) current.received++;
  }
}
