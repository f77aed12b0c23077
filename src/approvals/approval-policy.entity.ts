import { Column, Entity, PrimaryColumn } from 'typeorm';

export const FOUR_EYES_MODES = ['required', 'waived'] as const;
export type FourEyesMode = (typeof FOUR_EYES_MODES)[number];

/** The four-eyes policy (one row; absent = not set up yet). */
@Entity('approval_policy')
export class ApprovalPolicy {
  @PrimaryColumn({ type: 'boolean', default: true })
  id: boolean;

  @Column({ name: 'four_eyes', type: 'text' })
  fourEyes: FourEyesMode;

  /** Why four eyes are waived (a company too small for two people); required when waived. */
  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ name: 'set_by', type: 'uuid' })
  setBy: string;

  @Column({ name: 'set_by_username', type: 'text' })
  setByUsername: string;

  @Column({ name: 'set_at', type: 'timestamptz' })
  setAt: Date;
}
