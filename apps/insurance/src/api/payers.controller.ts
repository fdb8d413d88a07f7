import { Controller, Get, Param, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '@iop/auth';
import { ApiBodyFrom, Returns, UnitOfWork, ValidBody } from '@iop/platform';
import { payerDirectory } from '../application/payer-directory';
import { UpdatePayer } from '../application/update-payer.use-case';
import { PayerList, PayerView, UpdatePayerBody } from './coverage.schemas';

@ApiTags('payers')
@ApiBearerAuth()
@Controller('payers')
export class PayersController {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly updatePayer: UpdatePayer,
  ) {}

  @Get()
  @Access({ roles: ['insurance_coordinator', 'intake_coordinator', 'site_admin', 'network_admin'] })
  @ApiOperation({ summary: 'The PPO payers the network accepts, with their electronic payer ids and routing' })
  @Returns(PayerList, { status: 200, description: 'The payers' })
  list() {
    return this.uow.run(({ manager }) => payerDirectory.list(manager));
  }

  @Get(':payerId')
  @Access({ roles: ['insurance_coordinator', 'intake_coordinator', 'site_admin', 'network_admin'] })
  @ApiOperation({ summary: 'One payer' })
  @Returns(PayerView, { status: 200, description: 'The payer' })
  get(@Param('payerId') payerId: string) {
    return this.uow.run(({ manager }) => payerDirectory.require(manager, payerId));
  }

  @Patch(':payerId')
  @Access({ roles: ['network_admin'] })
  @ApiOperation({ summary: "Change a payer's name, electronic payer id, routing or phone (network admins)" })
  @ApiBodyFrom(UpdatePayerBody)
  @Returns(PayerView, { status: 200, description: 'The payer as changed' })
  update(@Param('payerId') payerId: string, @ValidBody(UpdatePayerBody) body: UpdatePayerBody) {
    return this.updatePayer.execute(payerId, body);
  }
}
