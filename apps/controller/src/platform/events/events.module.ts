import { Global, Module } from '@nestjs/common';
import { EventBus } from './event-bus.service';

/** Typed Redis pub/sub between replicas (infrastructure, so global): channels live in `<feature>.events.ts`. */
@Global()
@Module({ providers: [EventBus], exports: [EventBus] })
export class EventsModule {}
