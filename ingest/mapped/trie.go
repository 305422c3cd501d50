package mapped

// The mapping's JSON paths are compiled into a trie: the record pass (extract.go) walks it beside
// the record, so it looks at a key only when some path goes through it.

import "sort"

// kind is what a path found in a record.
type kind uint8

const (
	kAbsent    kind = iota // nothing there
	kString                //
	kNumber                //
	kBool                  //
	kNull                  // JSON null: treated as absent
	kObject                //
	kArray                 //
	kAmbiguous             // a CSV column that appears twice in the header
)

func (k kind) String() string {
	switch k {
	case kString:
		return "a string"
	case kNumber:
		return "a number"
	case kBool:
		return "a boolean"
	case kNull:
		return "null"
	case kObject:
		return "an object"
	case kArray:
		return "an array"
	case kAmbiguous:
		return "ambiguous"
	}
	return "absent"
}

// trie holds the mapping's paths. Node 0 is the record itself.
type trie struct {
	nodes []tnode
}

type tnode struct {
	keys  map[string]int32 // object member → child node
	index []int32          // array element → child node, -1 where none
	slot  int32            // the value slot of the path ending here, or -1
	// few holds the members as a list when there are at most fewKeys of them: comparing a few
	// strings is cheaper than hashing every key of every record.
	few []member
}

type member struct {
	key   string
	child int32
}

const fewKeys = 12

// child returns the node of member key, or -1.
func (n *tnode) child(key []byte) int32 {
	if n.few != nil || n.keys == nil {
		for i := range n.few {
			if m := &n.few[i]; len(m.key) == len(key) && m.key == string(key) {
				return m.child
			}
		}
		return -1
	}
	if c, ok := n.keys[string(key)]; ok {
		return c
	}
	return -1
}

func newTrie() *trie { return &trie{nodes: []tnode{{slot: -1}}} }

// add returns the slot of the path, giving it slot *next (and incrementing *next) when new.
func (t *trie) add(steps []step, next *int32) int32 {
	n := int32(0)
	for _, st := range steps {
		node := &t.nodes[n]
		var child int32
		var ok bool
		if st.index < 0 {
			child, ok = node.keys[st.key]
			if !ok {
				if node.keys == nil {
					node.keys = make(map[string]int32)
				}
				child = int32(len(t.nodes))
				node.keys[st.key] = child
			}
		} else {
			if st.index < len(node.index) && node.index[st.index] >= 0 {
				child, ok = node.index[st.index], true
			} else {
				for len(node.index) <= st.index {
					node.index = append(node.index, -1)
				}
				child = int32(len(t.nodes))
				node.index[st.index] = child
			}
		}
		if !ok {
			t.nodes = append(t.nodes, tnode{slot: -1})
		}
		n = child
	}
	if t.nodes[n].slot < 0 {
		t.nodes[n].slot = *next
		*next++
	}
	return t.nodes[n].slot
}

// finish prepares the trie for reading, once every path is added.
func (t *trie) finish() {
	for i := range t.nodes {
		node := &t.nodes[i]
		node.few = nil
		if len(node.keys) > 0 && len(node.keys) <= fewKeys {
			for k, c := range node.keys {
				node.few = append(node.few, member{k, c})
			}
			sort.Slice(node.few, func(a, b int) bool { return node.few[a].key < node.few[b].key })
		}
	}
}
