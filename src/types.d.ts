// SQL files are bundled as text: esbuild's `.sql: text` loader (serverless.yml) and jest's text transform.
declare module '*.sql' {
  const text: string;
  export default text;
}
