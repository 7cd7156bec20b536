import type { TestProject } from "vitest/node";
import { startFakeOriginControl } from "./fake-origin-server";

export default async function setup(project: TestProject) {
  const control = await startFakeOriginControl();
  project.provide("originControl", control.url);
  return control.stop;
}
