import { Injectable } from '@nestjs/common';
import { badRequest } from '@renkei/domain';
import { dcatCatalog, renkeiTerm, type CatalogOffer } from '@renkei/contracts';
import type { Principal } from '@renkei/auth';
import { escapeLike, PrismaClient, type Prisma } from '@renkei/persistence';
import { RegistryUrls } from '../registry.dependencies.js';
import { isAdmin, toDto, toTerms } from '../contracts/contracts.service.js';
import type { CatalogPage, CatalogQuery } from '../contracts/contracts.dto.js';

const encodeCursor = (dataset: string) => Buffer.from(dataset, 'utf8').toString('base64url');

function decodeCursor(cursor: string): string {
  const dataset = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[a-z0-9.-]+$/.test(dataset)) {
    throw badRequest(
      'CATALOG.INVALID_CURSOR',
      'The cursor is not one this catalog issued',
      [{ path: '/cursor', message: 'unknown cursor' }],
      'Start again without a cursor',
    );
  }
  return dataset;
}

/**
 * The catalog lists each dataset's current version, only where the caller may see it: consortium-wide
 * datasets, its own, and those it was invited to. Filters and text search narrow that; pages are keyed by
 * dataset id, so a page never repeats or skips an entry while others publish.
 */
@Injectable()
export class CatalogService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly urls: RegistryUrls,
  ) {}

  async search(actor: Principal, query: CatalogQuery): Promise<CatalogPage> {
    const rows = await this.page(actor, query);
    const more = rows.length > query.limit;
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    return {
      items: items.map((r) => toDto(r, actor)),
      nextCursor: more && last ? encodeCursor(last.dataset) : null,
    };
  }

  /** The same offers as a DCAT catalog with ODRL offers (Dataspace Protocol), for other data spaces. */
  async dcat(actor: Principal, query: CatalogQuery): Promise<Record<string, unknown>> {
    const rows = await this.page(actor, query);
    const more = rows.length > query.limit;
    const items = rows.slice(0, query.limit);
    const offers: CatalogOffer[] = items.map((r) => ({
      terms: { ...toTerms(r), invited: [] },
      owner: {
        id: r.owner.id,
        legalName: r.owner.legalName,
        corporateNumber: r.owner.corporateNumber,
        lei: r.owner.lei,
        bpn: r.owner.bpn,
      },
    }));
    const catalog = dcatCatalog(offers, {
      catalogId: `${this.urls.registry}/catalog/dcat`,
      registryUrl: this.urls.registry,
      exchangeUrl: this.urls.exchange,
    });
    const last = items.at(-1);
    return more && last
      ? { ...catalog, [renkeiTerm(this.urls.registry, 'nextCursor')]: encodeCursor(last.dataset) }
      : catalog;
  }

  private page(actor: Principal, query: CatalogQuery) {
    const me = actor.participantId;
    const and: Prisma.DataContractWhereInput[] = [{ current: true }];
    if (!isAdmin(actor)) {
      and.push({ OR: [{ visibility: 'consortium' }, { ownerId: me }, { invited: { has: me } }] });
    }
    if (query.domain) and.push({ domain: query.domain });
    if (query.owner) and.push({ ownerId: query.owner });
    if (query.tag) and.push({ tags: { has: query.tag } });
    if (query.purpose) and.push({ purposes: { has: query.purpose } });
    if (query.status) and.push({ status: query.status });
    if (query.q) {
      // Literal text: `%`, `_` and `\` match only themselves.
      const text = escapeLike(query.q.trim());
      and.push({
        OR: [
          { dataset: { contains: text.toLowerCase() } },
          { title: { contains: text, mode: 'insensitive' } },
          { description: { contains: text, mode: 'insensitive' } },
        ],
      });
    }
    if (query.cursor) and.push({ dataset: { gt: decodeCursor(query.cursor) } });
    return this.prisma.dataContract.findMany({
      where: { AND: and },
      orderBy: { dataset: 'asc' },
      take: query.limit + 1,
      include: { owner: true },
    });
  }
}
