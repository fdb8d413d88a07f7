import { BadRequestException, CanActivate, ExecutionContext, ForbiddenException, Injectable, SetMetadata, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { mayActOnSite, type Principal, type Role } from './roles';
import { TokenRejected, TokenVerifier } from './token-verifier';

/** Where a route names the site it acts on. */
export interface SiteLocator {
  readonly from: 'param' | 'body' | 'query';
  readonly name: string;
}

export interface AccessRule {
  readonly roles: readonly Role[] | 'public';
  readonly site?: SiteLocator;
}

export const ACCESS_RULE = 'iop:access-rule';

/** Declares who may call a route and, optionally, which request field names the site it touches. */
export const Access = (rule: AccessRule) => SetMetadata(ACCESS_RULE, rule);
export const Public = () => Access({ roles: 'public' });

export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, string>;
  query?: Record<string, unknown>;
  body?: unknown;
  principal?: Principal;
}

/**
 * The one guard: verifies the bearer token, applies the route's roles and site scope. A route
 * without an access rule is refused, so forgetting to declare one fails closed.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [context.getHandler(), context.getClass()]);
    if (!rule) throw new ForbiddenException('this endpoint declares no access rule and is closed');
    if (rule.roles === 'public') return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = await this.authenticate(request);
    request.principal = principal;

    if (!rule.roles.some((role) => principal.roles.includes(role))) {
      throw new ForbiddenException(`this action needs one of the roles: ${rule.roles.join(', ')}`);
    }
    if (rule.site) {
      const siteId = siteFrom(request, rule.site);
      if (siteId !== undefined && !mayActOnSite(principal, siteId)) {
        throw new ForbiddenException(`your access does not include site ${siteId}`);
      }
    }
    return true;
  }

  private async authenticate(request: AuthenticatedRequest): Promise<Principal> {
    const header = request.headers['authorization'];
    const value = Array.isArray(header) ? header[0] : header;
    if (!value) throw new UnauthorizedException('sign in: send an access token as "Authorization: Bearer <token>"');
    const match = /^Bearer\s+(\S+)$/i.exec(value);
    if (!match) throw new UnauthorizedException('the Authorization header must be "Bearer <token>"');
    try {
      return await this.verifier.verify(match[1]!);
    } catch (error) {
      if (error instanceof TokenRejected) throw new UnauthorizedException(error.message);
      throw error;
    }
  }
}

function siteFrom(request: AuthenticatedRequest, locator: SiteLocator): string | undefined {
  const source = locator.from === 'param' ? request.params : locator.from === 'query' ? request.query : request.body;
  if (!source || typeof source !== 'object') return undefined;
  const value = (source as Record<string, unknown>)[locator.name];
  if (value === undefined || value === null) return undefined;
  // A list (`?site=A&site=B`) or an object must not slip past the scope check as "no site named".
  if (typeof value !== 'string') throw new BadRequestException(`${locator.name} must be a single site id`);
  return value;
}
