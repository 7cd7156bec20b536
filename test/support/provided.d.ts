/** Values the global setup hands to the tests inside workerd. */
declare module "vitest" {
  export interface ProvidedContext {
    originControl: string;
    /** Base URL of the local Stripe stand-in (fake-stripe-server.ts), for STRIPE_API_BASE. */
    fakeStripe: string;
  }
}
export {};
