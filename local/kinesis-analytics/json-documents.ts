/**
 * The JSON documents of one record's text, as slices of it: a preprocessing function may answer a record with
 * several documents in one payload (lambda-preprocessing.md: "Each data payload can contain multiple JSON documents"),
 * one after the other, whitespace between them or none. Slices, not parsed values, so the SQL engine reads each
 * document's numbers exactly as written. Text that is not a sequence of documents is returned whole (the reader
 * then reports it on the error stream).
 */
export function jsonDocuments(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (start < 0) {
      if (c === ' ' || c === '\n' || c === '\r' || c === '\t') continue;
      if (c !== '{' && c !== '[') return [text];
      start = i;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) {
        out.push(text.slice(start, i + 1));
        start = -1;
      }
    }
  }
  if (start >= 0 || out.length === 0) return [text];
  return out;
}
