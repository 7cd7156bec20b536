/** Vite's `?raw` imports: a file's text, e.g. the README whose tables the tests check. */
declare module "*?raw" {
  const text: string;
  export default text;
}
