import { Module } from '@nestjs/common';
import { ReportsProcessor } from './reports.processor';

@Module({ providers: [ReportsProcessor] })
export class ReportsModule {}
