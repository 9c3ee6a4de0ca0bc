import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public, Responds } from '@sp/platform';
import type { SearchPage } from '@sp/types';
import { SearchPageDto, SearchQueryDto } from './search.dto';
import { SearchService } from './search.service';

@ApiTags('search')
@Controller('search')
export class SearchController {
  constructor(private readonly searchService: SearchService) {}

  /**
   * Partners, activities and people, ranked, in English and Japanese: every word must match
   * (English in any inflection, the last word as a prefix); a Japanese word is found inside
   * longer text; a partner by its country's name. What a caller finds follows who it is:
   * staff everything, people included; a partner's token its own partner and activities;
   * without a token, public partners and published activities (rate limited per address).
   */
  @Get()
  @Public({ rateLimit: { perMinute: 120 } })
  @Responds(200, SearchPageDto, 401, 429)
  search(@Query() query: SearchQueryDto): Promise<SearchPage> {
    return this.searchService.search(query);
  }
}
