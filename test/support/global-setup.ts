import type { TestProject } from "vitest/node";
import { startFakeOriginControl } from "./fake-origin-server";
import { startFakeStripe } from "./fake-stripe-server";

export default async function setup(project: TestProject) {
  const control = await startFakeOriginControl();
  project.provide("originControl", control.url);
  const stripe = await startFakeStripe();
  project.provide("fakeStripe", stripe.url);
  return async () => {
    await Promise.all([control.stop(), stripe.stop()]);
  };
}
