import { readFileSync } from 'node:fs';
import { create, type Font } from 'fontkit';

/**
 * The fonts the PDF writer embeds, all Noto (SIL Open Font License 1.1) from the
 * `@expo-google-fonts/*` npm packages — TrueType files straight from Google Fonts, so a fresh
 * clone renders every name with no system font:
 * - Noto Sans JP: Japanese, Latin and Cyrillic (the first choice);
 * - Noto Sans: the Latin letters Noto Sans JP lacks (Boğaziçi, Łódź, Čeněk), Greek, Devanagari;
 * - Noto Sans KR: Hangul (Seoul National University's people).
 * pdfkit embeds only the glyphs a document uses (a subset), so a PDF grows by tens of KB, not
 * by the megabytes of a font file. Read once per process.
 *
 * Why these packages: kept by Expo (releases through 2026), no dependencies, fonts as published
 * by Google Fonts. The cost is about 120 MB in node_modules (nine weights each; two are used).
 * Not covered: Thai, and simplified Chinese characters that are not also Japanese ones (a
 * further face each, 10–50 MB); their characters print as blanks.
 */
export type FontFace = { name: string; regular: Buffer; bold: Buffer };

const FACES = [
  ['NotoSansJP', '@expo-google-fonts/noto-sans-jp', 'NotoSansJP'],
  ['NotoSans', '@expo-google-fonts/noto-sans', 'NotoSans'],
  ['NotoSansKR', '@expo-google-fonts/noto-sans-kr', 'NotoSansKR'],
] as const;

let faces: FontFace[] | undefined;

export function reportFonts(): FontFace[] {
  faces ??= FACES.map(([name, pkg, file]) => ({
    name,
    regular: readFileSync(require.resolve(`${pkg}/400Regular/${file}_400Regular.ttf`)),
    bold: readFileSync(require.resolve(`${pkg}/700Bold/${file}_700Bold.ttf`)),
  }));
  return faces;
}

/** Text every face has: printable ASCII (the common case, decided without a lookup). */
const ASCII = /^[\x20-\x7e]*$/;

/**
 * Which face prints a text: the first that has a glyph for every character of it, else the
 * one that has the most (a text mixing scripts no one face covers). Which faces cover a
 * character is looked up once per character.
 */
export class FaceChooser {
  private readonly fonts: Font[];
  /** Per code point, a bit per face that has it. */
  private readonly coverage = new Map<number, number>();

  constructor(readonly faces: FontFace[]) {
    this.fonts = faces.map((face) => create(face.regular) as Font);
  }

  /** The face for `text`. */
  faceOf(text: string): FontFace {
    return this.faces[this.choose(text)]!;
  }

  private choose(text: string): number {
    if (ASCII.test(text)) return 0;
    const counts = new Array<number>(this.fonts.length).fill(0);
    let characters = 0;
    for (const char of text) {
      const code = char.codePointAt(0)!;
      if (code <= 0x20) continue;
      characters += 1;
      const bits = this.covering(code);
      for (let i = 0; i < counts.length; i++) if (bits & (1 << i)) counts[i]! += 1;
    }
    const whole = counts.findIndex((n) => n === characters);
    if (whole !== -1) return whole;
    return counts.indexOf(Math.max(...counts));
  }

  private covering(code: number): number {
    let bits = this.coverage.get(code);
    if (bits === undefined) {
      bits = 0;
      for (let i = 0; i < this.fonts.length; i++)
        if (this.fonts[i]!.hasGlyphForCodePoint(code)) bits |= 1 << i;
      this.coverage.set(code, bits);
    }
    return bits;
  }
}

let chooser: FaceChooser | undefined;

/** The process's one chooser over `reportFonts()` (it remembers what it looked up). */
export function faceChooser(): FaceChooser {
  chooser ??= new FaceChooser(reportFonts());
  return chooser;
}
