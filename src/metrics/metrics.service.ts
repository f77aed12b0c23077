import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

/**
 * Prometheus metrics. Other modules count through these methods; labels are purpose codes,
 * reasons and outcomes only — never a number, a name or a user.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly reveals = new Counter({
    name: 'mnv_reveals_total',
    help: 'Numbers revealed, by purpose and kind (single or bulk)',
    labelNames: ['purpose', 'kind'],
    registers: [this.registry],
  });
  private readonly refusals = new Counter({
    name: 'mnv_reveal_refusals_total',
    help: 'Refused reveal attempts, by reason',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  private readonly logins = new Counter({ name: 'mnv_logins_total', help: 'Login steps, by outcome', labelNames: ['outcome'], registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'mnv_' });
  }

  revealed(purpose: string, kind: 'single' | 'bulk', count = 1): void {
    this.reveals.inc({ purpose, kind }, count);
  }

  refused(reason: string): void {
    this.refusals.inc({ reason });
  }

  login(outcome: 'success' | 'failure' | 'locked'): void {
    this.logins.inc({ outcome });
  }

  /** A gauge whose value is read when Prometheus scrapes (open alarms, sealing lag…). */
  gauge(name: string, help: string, read: () => Promise<number> | number): void {
    if (this.registry.getSingleMetric(name)) return;
    new Gauge({
      name,
      help,
      registers: [this.registry],
      async collect() {
        try {
          this.set(await read());
        } catch {
          this.set(NaN); // the source is down: report "unknown", not a stale figure
        }
      },
    });
  }
}
