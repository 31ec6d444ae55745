import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal, type Principal } from '@renkei/auth';
import { ApiZodQuery, Problems, Responds, ZodPipe } from '@renkei/platform';
import {
  CatalogPageSchema,
  CatalogQuerySchema,
  DcatCatalogSchema,
  type CatalogQuery,
} from '../contracts/contracts.dto.js';
import { catalogPageExample } from '../contracts/contracts.examples.js';
import { CatalogService } from './catalog.service.js';

@ApiTags('catalog')
@Controller('catalog')
export class CatalogController {
  constructor(private readonly catalog: CatalogService) {}

  @Get()
  @Authenticated('api')
  @ApiOperation({
    summary: 'Datasets you may discover: the current version of each, with search, filters and pages',
    description:
      'Lists consortium-wide datasets, your own and those you were invited to; nothing else is listed or counted. Pass nextCursor as cursor for the next page.',
  })
  @ApiZodQuery(CatalogQuerySchema)
  @Responds(200, CatalogPageSchema, { description: 'One page of the catalog', example: catalogPageExample })
  @Problems({ 400: ['CATALOG.INVALID_CURSOR'] })
  search(@CurrentPrincipal() actor: Principal, @Query(new ZodPipe(CatalogQuerySchema)) query: CatalogQuery) {
    return this.catalog.search(actor, query);
  }

  @Get('dcat')
  @Authenticated('api')
  @Header('content-type', 'application/ld+json')
  @ApiOperation({
    summary: 'The same catalog as DCAT 3 / Dataspace Protocol JSON-LD, with ODRL offers',
    description:
      "For connectors of other data spaces (Eclipse Dataspace Components, Catena-X, GAIA-X): each dataset is a dcat:Dataset whose odrl:Offer permits use for the contract's purposes, under its residency and deletion terms.",
  })
  @ApiZodQuery(CatalogQuerySchema)
  @Problems({ 400: ['CATALOG.INVALID_CURSOR'] })
  @Responds(200, DcatCatalogSchema, {
    description: 'A catalog',
    mediaType: 'application/ld+json',
    example: {
      '@context': ['https://w3id.org/dspace/2025/1/context.jsonld'],
      '@type': 'Catalog',
      '@id': 'https://registry.renkei.example/catalog/dcat',
      dataset: [
        { '@id': 'https://registry.renkei.example/contracts/battery.cfp/versions/1.1.0', '@type': 'Dataset' },
      ],
    },
  })
  dcat(@CurrentPrincipal() actor: Principal, @Query(new ZodPipe(CatalogQuerySchema)) query: CatalogQuery) {
    return this.catalog.dcat(actor, query);
  }
}
