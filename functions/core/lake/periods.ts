/** Partition fallbacks for rows whose own date could not be read: the period the file was pulled for. */
export function periodParts(period: string | null): { year: number; month: number } {
  const m = /^(\d{4})(?:-(\d{2}))?$/.exec(period ?? '');
  return m ? { year: Number(m[1]), month: m[2] ? Number(m[2]) : 0 } : { year: 0, month: 0 };
}
