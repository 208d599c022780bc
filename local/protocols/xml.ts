/** The little XML the query and REST-XML protocols write: escaped text and elements. */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text or an attribute value, escaped for XML. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/**
 * An element: `xml('StackId', 'arn:...')` -> `<StackId>arn:...</StackId>`. A string child is escaped; an array
 * of children (already XML, e.g. from `xml` itself) is joined as it is; undefined leaves the element out.
 */
export function xml(name: string, content: string | number | boolean | readonly string[] | undefined): string {
  if (content === undefined) return '';
  const inner = Array.isArray(content) ? content.join('') : escapeXml(String(content));
  return `<${name}>${inner}</${name}>`;
}
