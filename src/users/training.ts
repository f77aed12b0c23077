/**
 * Whether an acknowledgement of the handling rules is current: same version as config/ and
 * within TRAINING_VALID_MONTHS. (The same rule as RevealPolicyService.trainingCurrent.)
 */
export function isTrainingCurrent(
  acknowledged: { trainingVersion: string | null; trainingAcknowledgedAt: Date | null },
  currentVersion: string,
  validMonths: number,
  now: Date,
): boolean {
  if (acknowledged.trainingVersion !== currentVersion || !acknowledged.trainingAcknowledgedAt) return false;
  const expires = new Date(acknowledged.trainingAcknowledgedAt);
  expires.setMonth(expires.getMonth() + validMonths);
  return expires > now;
}
