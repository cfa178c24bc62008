// Compares `typ` values the way RFC 7515 §4.1.9 says to: case-insensitively, with "application/" implied.
// So `at+jwt`, `AT+JWT` and `application/at+jwt` are one type (RFC 9068 §2.1, RFC 8725 §3.11).

export function normalizeMediaType(value: string): string {
  const lower = value.toLowerCase();
  return lower.includes('/') ? lower : `application/${lower}`;
}
