/*
 * registry_sql.c: the one row of a tracked table that clv_score needs (issue 17).
 *
 * clv_score reads a customer's tracked row for a model whose tracked table is known only
 * at run time. Dynamic SQL would be parsed and planned on every call (about as long as
 * the rest of the scoring), so this function looks the customer up in the table's
 * primary key index directly, with the caller's snapshot and privileges, and returns the
 * columns the caller names in its column definition list:
 *
 *   SELECT * FROM _clv_tracked_row(tracked, customer_id)
 *            AS t(frequency int, monetary_value float8, ...);
 *
 * A customer without a row gives NULL (a row of NULLs in FROM).
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/relation.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_am.h"
#include "catalog/pg_opfamily.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"

PG_FUNCTION_INFO_V1(clv_tracked_row);

Datum
clv_tracked_row(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	Datum		key = PG_GETARG_DATUM(1);
	TupleDesc	outdesc;
	Relation	rel;
	Relation	idx;
	Oid			pkoid;
	AttrNumber	keyatt;
	AclResult	acl;
	ScanKeyData skey;
	IndexScanDesc scan;
	TupleTableSlot *slot;
	HeapTuple	result = NULL;

	if (get_call_result_type(fcinfo, NULL, &outdesc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("_clv_tracked_row: a column definition list is required"),
				 errdetail("The function returns the columns of the tracked table that the call names."),
				 errhint("SELECT * FROM _clv_tracked_row(tracked, customer_id) AS t(frequency int, ...)")));

	/* the table must exist (an OID is no name), and the caller may read it */
	rel = try_relation_open(relid, AccessShareLock);
	if (rel == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("_clv_tracked_row: no table with OID %u", relid),
				 errdetail("The tracked table was dropped."),
				 errhint("Track the orders again with clv_track(...) and refit the model.")));
	if (rel->rd_rel->relkind != RELKIND_RELATION)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("_clv_tracked_row: \"%s\" is not a table", RelationGetRelationName(rel)),
				 errhint("Pass a table created by clv_track.")));
	acl = pg_class_aclcheck(relid, GetUserId(), ACL_SELECT);
	if (acl != ACLCHECK_OK)
		aclcheck_error(acl, OBJECT_TABLE, RelationGetRelationName(rel));
	/* an index scan of our own would bypass row level security */
	if (check_enable_rls(relid, InvalidOid, true) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("_clv_tracked_row: \"%s\" has row level security", RelationGetRelationName(rel)),
				 errdetail("clv_score reads the tracked row directly, which would bypass the policies."),
				 errhint("Score as a role the policies do not apply to (the table's owner), or disable row level security on the tracked table.")));

	/* its primary key: the text column customer_id alone, as clv_track creates it */
	keyatt = get_attnum(relid, "customer_id");
	pkoid = RelationGetPrimaryKeyIndex(rel);
	if (!OidIsValid(pkoid) || keyatt == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("_clv_tracked_row: \"%s\" has no primary key on customer_id", RelationGetRelationName(rel)),
				 errhint("Pass a table created by clv_track.")));
	idx = index_open(pkoid, AccessShareLock);
	if (IndexRelationGetNumberOfKeyAttributes(idx) != 1 || idx->rd_index->indkey.values[0] != keyatt
		|| TupleDescAttr(RelationGetDescr(rel), keyatt - 1)->atttypid != TEXTOID
		|| idx->rd_rel->relam != BTREE_AM_OID || idx->rd_opfamily[0] != TEXT_BTREE_FAM_OID)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("_clv_tracked_row: the primary key of \"%s\" is not a btree on the text column customer_id",
						RelationGetRelationName(rel)),
				 errhint("Pass a table created by clv_track.")));

	/* the named columns, each of the type the call gives it */
	{
		TupleDesc	reldesc = RelationGetDescr(rel);
		int			i;
		AttrNumber *map = palloc(sizeof(AttrNumber) * outdesc->natts);

		for (i = 0; i < outdesc->natts; i++)
		{
			Form_pg_attribute out = TupleDescAttr(outdesc, i);
			AttrNumber	a = get_attnum(relid, NameStr(out->attname));

			if (a <= 0 || TupleDescAttr(reldesc, a - 1)->atttypid != out->atttypid)
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("_clv_tracked_row: \"%s\" has no column \"%s\" of type %s",
								RelationGetRelationName(rel), NameStr(out->attname),
								format_type_be(out->atttypid)),
						 errhint("Name columns of the tracked table with their types.")));
			map[i] = a;
		}

		ScanKeyEntryInitialize(&skey, 0, 1, BTEqualStrategyNumber, InvalidOid,
							   idx->rd_indcollation[0], F_TEXTEQ, key);
		scan = index_beginscan(rel, idx, GetActiveSnapshot(), 1, 0);
		index_rescan(scan, &skey, 1, NULL, 0);
		slot = table_slot_create(rel, NULL);
		if (index_getnext_slot(scan, ForwardScanDirection, slot))
		{
			Datum	   *values = palloc(sizeof(Datum) * outdesc->natts);
			bool	   *nulls = palloc(sizeof(bool) * outdesc->natts);

			slot_getallattrs(slot);
			for (i = 0; i < outdesc->natts; i++)
			{
				values[i] = slot->tts_values[map[i] - 1];
				nulls[i] = slot->tts_isnull[map[i] - 1];
			}
			/* copies the values: the slot goes away below */
			result = heap_form_tuple(BlessTupleDesc(outdesc), values, nulls);
		}
		index_endscan(scan);
		ExecDropSingleTupleTableSlot(slot);
	}
	/* the locks are kept to the end of the transaction, as a query keeps them */
	index_close(idx, NoLock);
	relation_close(rel, NoLock);

	if (result == NULL)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(HeapTupleGetDatum(result));
}
