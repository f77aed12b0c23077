import { Injectable } from '@nestjs/common';

/**
 * The one source of "now". Tests move time with set()/advance() instead of sleeping.
 * Production code must ask the clock, never `new Date()`, for anything that decides a rule.
 */
@Injectable()
export class ClockService {
  private offsetMs = 0;
  private frozen: number | null = null;

  now(): Date {
    return new Date(this.frozen ?? Date.now() + this.offsetMs);
  }

  /** Test helper: pin the clock at a moment. */
  set(at: Date): void {
    this.frozen = at.getTime();
  }

  /** Test helper: move the clock forward (or back, with a negative value). */
  advance(ms: number): void {
    if (this.frozen !== null) this.frozen += ms;
    else this.offsetMs += ms;
  }

  /** Test helper: back to real time. */
  reset(): void {
    this.frozen = null;
    this.offsetMs = 0;
  }
}
