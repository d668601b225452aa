// The `_design/spanmark` document of every project: its validate_doc_update
// is the write rule of docs/ARCHITECTURE.md ("Team server"), enforced by the
// engine (pouchdb-validation, or CouchDB itself) on every write, replicated
// ones included. It runs inside CouchDB's JavaScript sandbox, so it is plain
// ES5 and is sent as source text.

/* eslint-disable no-var */
function validate(newDoc, oldDoc, userCtx) {
  var roles = userCtx.roles || [];
  if (roles.indexOf('_admin') !== -1 || roles.indexOf('curator') !== -1) return;
  if (roles.indexOf('annotator') === -1) {
    throw { forbidden: 'only an annotator or a curator of this project may write to it' };
  }
  var id = String(newDoc._id);
  var kinds = [
    ['doc:', 'only a curator may change the documents'],
    ['labels', 'only a curator may change the labels'],
    ['rules', 'only a curator may change the rules'],
    ['assign:', 'only a curator may assign documents'],
  ];
  for (var i = 0; i < kinds.length; i++) {
    if (id.indexOf(kinds[i][0]) === 0) throw { forbidden: kinds[i][1] };
  }
  if (id.indexOf('ann:') !== 0) {
    throw { forbidden: 'an annotator may write only her own annotation records (ann:DOCUMENT:' + userCtx.name + ')' };
  }
  // Whose record it is: the stored one says, so that a deletion (which
  // carries no fields) or a rewrite is judged on what it replaces.
  var owner = oldDoc && !oldDoc._deleted ? oldDoc.annotator : newDoc._deleted ? null : newDoc.annotator;
  var idOwner = id.slice(id.lastIndexOf(':') + 1);
  if (owner === 'curated' || idOwner === 'curated') {
    throw { forbidden: 'only a curator may change the curated record' };
  }
  if ((owner !== null && owner !== userCtx.name) || idOwner !== userCtx.name) {
    throw { forbidden: 'this record is ' + (owner || idOwner) + "'s: an annotator may change only her own annotations" };
  }
  if (!newDoc._deleted) {
    if (newDoc.type !== 'annotations') {
      throw { forbidden: 'an annotation record must have "type": "annotations"' };
    }
    if (newDoc.annotator !== userCtx.name) {
      throw { forbidden: 'an annotation record must name its annotator: "annotator": "' + userCtx.name + '"' };
    }
  }
}

export const DESIGN_DOC = {
  _id: '_design/spanmark',
  language: 'javascript',
  validate_doc_update: validate.toString(),
};

// Members are every account with a team role; the only database admin is the
// server admin (design documents and `_security` are admins' writes).
export function securityObject(adminName) {
  return {
    admins: { names: [adminName], roles: [] },
    members: { names: [], roles: ['annotator', 'curator'] },
  };
}
