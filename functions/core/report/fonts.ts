/**
 * The TrueType fonts the PDF embeds: DejaVu Serif (regular, bold, italic) from the npm package
 * dejavu-fonts-ttf (Bitstream Vera / public-domain licence), which covers Vietnamese: every vowel
 * with its diacritics and the five tones (ư ơ ă đ ê ô; à á ả ã ạ), precomposed. The Lambda bundle
 * copies them to fonts/ beside the code and sets REPORT_FONTS_DIR (infra/lib/ingestion).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createError } from '../errors.js';

export const REPORT_FONT_FILES = {
  regular: 'DejaVuSerif.ttf',
  bold: 'DejaVuSerif-Bold.ttf',
  italic: 'DejaVuSerif-Italic.ttf',
  boldItalic: 'DejaVuSerif-BoldItalic.ttf',
} as const;
export type FontFace = keyof typeof REPORT_FONT_FILES;

/** Directory holding the TTF files: REPORT_FONTS_DIR, else the installed package's ttf/. */
export function reportFontsDir(env: Record<string, string | undefined> = process.env): string {
  if (env.REPORT_FONTS_DIR) return env.REPORT_FONTS_DIR;
  try {
    const pkg = createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json');
    return path.join(path.dirname(pkg), 'ttf');
  } catch (cause) {
    throw createError('report', 'Failed to find the report fonts: install dejavu-fonts-ttf or set REPORT_FONTS_DIR', { cause });
  }
}

export function reportFontPaths(dir = reportFontsDir()): Record<FontFace, string> {
  const out = {} as Record<FontFace, string>;
  for (const [face, file] of Object.entries(REPORT_FONT_FILES) as [FontFace, string][]) {
    const p = path.join(dir, file);
    if (!existsSync(p)) throw createError('report', `Failed to find the report font ${file} in ${dir}`);
    out[face] = p;
  }
  return out;
}
