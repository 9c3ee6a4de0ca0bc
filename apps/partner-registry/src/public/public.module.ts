import { Module } from '@nestjs/common';
import { ActivitiesModule } from '../activities/activities.module';
import { PartnersModule } from '../partners/partners.module';
import { PublicController } from './public.controller';
import { PublicService } from './public.service';

@Module({
  imports: [PartnersModule, ActivitiesModule],
  controllers: [PublicController],
  providers: [PublicService],
})
export class PublicModule {}
