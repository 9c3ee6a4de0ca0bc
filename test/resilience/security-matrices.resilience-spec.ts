/**
 * The authorization matrices, re-run as part of the resilience suite: every route of every
 * service × every kind of caller (anonymous, the three staff roles, two partners, and the
 * expired, foreign-key and `alg: none` tokens), each with the status it must get. The tables
 * live with their services and run in the normal suite too; importing them here runs the same
 * tables again, so neither copy can drift.
 */
import '../../apps/partner-registry/test/authorization.e2e-spec';
import '../../apps/symposium/test/access.e2e-spec';
import '../../apps/inquiries/test/access.e2e-spec';
import '../../apps/worker/test/access.e2e-spec';
