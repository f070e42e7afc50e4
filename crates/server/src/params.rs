//! A request's parameters: the query string and the form body together,
//! decoded by the shared core, each name at most once.

use std::collections::HashMap;

use conference::form::{self, FormError};
use conference::Draft;

pub(crate) struct Params {
    pairs: Vec<(String, String)>,
    map: HashMap<String, usize>,
}

impl Params {
    /// Reads the query string and, for a form body, the body. A name given
    /// twice, in either or across both, is refused.
    pub(crate) fn read(query: &[u8], body: Option<&[u8]>) -> Result<Params, FormError> {
        let mut pairs = form::decode(query)?;
        if let Some(body) = body {
            pairs.extend(form::decode(body)?);
        }
        let mut map = HashMap::new();
        for (i, (name, _)) in pairs.iter().enumerate() {
            if map.insert(name.clone(), i).is_some() {
                return Err(FormError::Repeated { name: name.clone() });
            }
        }
        Ok(Params { pairs, map })
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.map.get(name).map(|&i| self.pairs[i].1.as_str())
    }

    /// A value, trimmed; empty when absent.
    pub(crate) fn text(&self, name: &str) -> &str {
        self.get(name).unwrap_or("").trim()
    }

    /// The parameter names, secrets included (names only), sorted: for the
    /// test hooks' request log.
    #[cfg(feature = "test-hooks")]
    pub(crate) fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.pairs.iter().map(|(n, _)| n.clone()).collect();
        names.sort();
        names
    }

    pub(crate) fn to_draft(&self) -> Draft {
        // Names are unique by now, so the core's own repeat check cannot fire.
        form::to_draft(self.pairs.clone())
            .map(|p| p.draft)
            .unwrap_or_else(|_| Draft::empty())
    }
}
