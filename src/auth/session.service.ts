import { Injectable } from '@nestjs/common';
import { Staff } from '@/common/auth/staff';

/** PLACEHOLDER until the staff-access issue lands: no token resolves to a session. */
@Injectable()
export class SessionService {
  async resolve(_token: string): Promise<Staff | null> {
    return null;
  }
}
