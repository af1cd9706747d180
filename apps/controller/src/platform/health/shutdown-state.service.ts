import { Injectable } from '@nestjs/common';

/** Set when SIGTERM arrives, so /readyz fails and load balancers stop sending traffic while we drain. */
@Injectable()
export class ShutdownState {
  draining = false;
}
