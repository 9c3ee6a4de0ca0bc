import { readFileSync } from 'node:fs';

/**
 * The fonts the PDF writer embeds: Noto Sans JP (SIL Open Font License 1.1), which covers
 * Japanese and Latin, from the `@expo-google-fonts/noto-sans-jp` npm package — TrueType files
 * straight from Google Fonts, so a fresh clone renders Japanese names with no system font.
 * pdfkit embeds only the glyphs a document uses (a subset), so a PDF grows by tens of KB, not
 * by the 5.5 MB of a font file. Read once per process.
 *
 * Why this package: kept by Expo (releases through 2026), no dependencies, fonts as published
 * by Google Fonts. The cost is 50 MB in node_modules (nine weights; two are used).
 * `@embedpdf/fonts-jp` (the CFF OpenType files, 31 MB, one 1.0.0 release) also renders and
 * extracts Japanese correctly with pdfkit — checked by hand — and would do if size matters more.
 */
export type ReportFonts = { regular: Buffer; bold: Buffer };

let fonts: ReportFonts | undefined;

export function reportFonts(): ReportFonts {
  fonts ??= {
    regular: readFileSync(
      require.resolve('@expo-google-fonts/noto-sans-jp/400Regular/NotoSansJP_400Regular.ttf'),
    ),
    bold: readFileSync(
      require.resolve('@expo-google-fonts/noto-sans-jp/700Bold/NotoSansJP_700Bold.ttf'),
    ),
  };
  return fonts;
}
