import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public, Responds } from '@sp/platform';
import type { Symposium, SymposiumList } from '@sp/types';
import {
  SymposiumDto,
  SymposiumIdParamsDto,
  SymposiumListDto,
  SymposiumListQueryDto,
} from './symposiums.dto';
import { SymposiumsService } from './symposiums.service';

@ApiTags('symposiums')
@Controller('symposiums')
export class SymposiumsController {
  constructor(private readonly symposiums: SymposiumsService) {}

  /**
   * Every symposium with its documents, in date order (`order=desc` for newest first): the
   * public archive. Unpublished documents are shown to staff only.
   */
  @Get()
  @Public()
  @Responds(200, SymposiumListDto)
  list(@Query() query: SymposiumListQueryDto): Promise<SymposiumList> {
    return this.symposiums.list(query);
  }

  @Get(':id')
  @Public()
  @Responds(200, SymposiumDto, 404)
  get(@Param() { id }: SymposiumIdParamsDto): Promise<Symposium> {
    return this.symposiums.get(id);
  }
}
