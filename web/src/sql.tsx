/** SQL shown highlighted (highlight.js, its SQL grammar only). */
import hljs from 'highlight.js/lib/core';
import sql from 'highlight.js/lib/languages/sql';

hljs.registerLanguage('sql', sql);

export function SqlBlock(props: { code: string }) {
  // highlight.js escapes the text it is given; the markup it returns holds only its own spans
  const html = hljs.highlight(props.code, { language: 'sql', ignoreIllegals: true }).value;
  return <pre class="sql hljs" dangerouslySetInnerHTML={{ __html: html }} />;
}
