export { exportStaticBackup } from "./export";
export { exportedResponse } from "./serve";
export { staticBackupStatus, type StaticBackupStatus } from "./status";
