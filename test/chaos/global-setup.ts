/**
 * Global setup of the chaos phase (vitest.chaos.config.ts): the main setup without its
 * supervisor — these tests kill and freeze services on purpose and bring them back themselves.
 */
import { prepareServices, removeTestStages } from '../global-setup';

export default async function setup(): Promise<() => Promise<void>> {
  await prepareServices();
  return removeTestStages;
}
