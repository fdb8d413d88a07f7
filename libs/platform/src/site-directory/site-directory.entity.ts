import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A service's own copy of the network's sites, kept from scheduling's site events. */
@Entity({ name: 'site_directory' })
export class SiteDirectoryEntry {
  @PrimaryColumn({ name: 'site_id', type: 'uuid' })
  siteId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'time_zone', type: 'text' })
  timeZone!: string;

  @Column({ type: 'integer' })
  capacity!: number;

  @Column({ type: 'integer' })
  revision!: number;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
