import { Module } from '@nestjs/common';
import { PartnersModule } from '../partners/partners.module';
import { ContactsController } from './contacts.controller';
import { ContactsRepository } from './contacts.repository';
import { ContactsService } from './contacts.service';
import { FacultyLeadsController } from './faculty-leads.controller';
import { FacultyLeadsRepository } from './faculty-leads.repository';
import { FacultyLeadsService } from './faculty-leads.service';

@Module({
  // A contact belongs to a partner the caller may see: looked up through PartnersService.
  imports: [PartnersModule],
  controllers: [ContactsController, FacultyLeadsController],
  providers: [ContactsService, ContactsRepository, FacultyLeadsService, FacultyLeadsRepository],
})
export class PeopleModule {}
