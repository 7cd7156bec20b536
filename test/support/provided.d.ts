/** Values the global setup hands to the tests inside workerd. */
declare module "vitest" {
  export interface ProvidedContext {
    originControl: string;
  }
}
export {};
