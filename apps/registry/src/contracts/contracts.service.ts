import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  Topics,
  badRequest,
  compileContractSchema,
  conflict,
  forbidden,
  notFound,
  type ContractTerms,
  type PlatformEvent,
} from '#libs/domain';
import type { Principal } from '#libs/auth';
import { Prisma, asJson, type PrismaClient } from '#libs/persistence';
import type { OutboxRelay } from '#libs/kafka';
import { OUTBOX, PRISMA } from '../registry.tokens.js';
import type { ContractDto, RegisterContract } from './contracts.dto.js';

type ContractRow = Awaited<ReturnType<PrismaClient['dataContract']['findUniqueOrThrow']>>;

function toTerms(c: ContractRow): ContractTerms {
  return {
    dataset: c.dataset,
    owner: c.ownerId,
    version: c.version,
    status: c.status as ContractTerms['status'],
    title: c.title,
    domain: c.domain,
    purposes: c.purposes,
    sensitivity: c.sensitivity as ContractTerms['sensitivity'],
    residency: c.residency,
    retentionDays: c.retentionDays,
    fields: c.fields as ContractTerms['fields'],
    schema: c.schema as ContractTerms['schema'],
  };
}

function toDto(c: ContractRow): ContractDto {
  const { owner, ...terms } = toTerms(c);
  return { ...terms, owner, createdAt: c.createdAt.toISOString() };
}

@Injectable()
export class ContractsService {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(OUTBOX) private readonly outbox: OutboxRelay,
  ) {}

  async register(actor: Principal, input: RegisterContract): Promise<ContractDto> {
    // Tokens live for minutes; a suspension takes effect on the next call, not when the token expires.
    const me = await this.prisma.participant.findUnique({
      where: { id: actor.participantId },
      select: { status: true },
    });
    if (me?.status !== 'active') {
      throw forbidden(
        'PARTICIPANT.SUSPENDED',
        'Your participation is not active',
        'Contact the consortium admin',
      );
    }
    compileContractSchema(input.schema);
    const properties = (input.schema.properties ?? {}) as Record<string, unknown>;
    const unknownFields = Object.keys(input.fields).filter((f) => !(f in properties));
    if (unknownFields.length > 0) {
      throw badRequest(
        'CONTRACT.UNKNOWN_FIELD_TAGGED',
        'Tags name fields the schema does not define',
        unknownFields.map((f) => ({
          path: `/fields/${f}`,
          message: `'${f}' is not a property of the schema`,
        })),
      );
    }
    const owner = await this.prisma.dataContract.findFirst({
      where: { dataset: input.dataset },
      select: { ownerId: true },
    });
    if (owner && owner.ownerId !== actor.participantId) {
      throw conflict(
        'CONTRACT.DATASET_TAKEN',
        `Dataset id '${input.dataset}' belongs to another participant`,
        'Choose another dataset id',
      );
    }
    try {
      const row = await this.prisma.$transaction(async (tx) => {
        const created = await tx.dataContract.create({
          data: {
            id: randomUUID(),
            dataset: input.dataset,
            version: input.version,
            ownerId: actor.participantId,
            status: 'active',
            title: input.title,
            domain: input.domain,
            purposes: input.purposes,
            sensitivity: input.sensitivity,
            residency: input.residency,
            retentionDays: input.retentionDays,
            fields: asJson(input.fields),
            schema: asJson(input.schema),
          },
        });
        const event: PlatformEvent = { type: 'contract.published', contract: toTerms(created) };
        await tx.registryOutbox.create({
          data: {
            topic: Topics.registryEvents,
            key: created.dataset,
            value: asJson({
              ...event,
              id: randomUUID(),
              actor: actor.participantId,
              at: new Date().toISOString(),
            }),
          },
        });
        return created;
      });
      await this.outbox.flush();
      return toDto(row);
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        throw conflict(
          'CONTRACT.VERSION_EXISTS',
          `Version ${input.version} of '${input.dataset}' is already published; versions are immutable`,
          'Publish a new version number',
        );
      }
      throw error;
    }
  }

  /** The consortium-wide catalog: active contracts, newest version per dataset. */
  async catalog(): Promise<ContractDto[]> {
    const rows = await this.prisma.dataContract.findMany({
      where: { status: { in: ['active', 'deprecated'] } },
      orderBy: [{ dataset: 'asc' }, { createdAt: 'desc' }],
      distinct: ['dataset'],
    });
    return rows.map(toDto);
  }

  async latest(dataset: string): Promise<ContractDto> {
    const row = await this.prisma.dataContract.findFirst({
      where: { dataset },
      orderBy: { createdAt: 'desc' },
    });
    if (!row)
      throw notFound(
        'CONTRACT.NOT_FOUND',
        `No contract for dataset '${dataset}'`,
        'List datasets with GET /catalog',
      );
    return toDto(row);
  }

  async version(dataset: string, version: string): Promise<ContractDto> {
    const row = await this.prisma.dataContract.findUnique({
      where: { dataset_version: { dataset, version } },
    });
    if (!row) throw notFound('CONTRACT.NOT_FOUND', `No version ${version} of dataset '${dataset}'`);
    return toDto(row);
  }
}
