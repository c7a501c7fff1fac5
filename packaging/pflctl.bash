# SPDX-License-Identifier: GPL-2.0
# bash completion for pflctl(8): options, the words -s, -F and -T take,
# and files after -f.
_pflctl()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}

	case $prev in
	-f)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	-s)
		COMPREPLY=($(compgen -W "info rules states Tables timeouts memory all" -- "$cur"))
		return ;;
	-F)
		COMPREPLY=($(compgen -W "rules states Tables all" -- "$cur"))
		return ;;
	-T)
		COMPREPLY=($(compgen -W "show add delete replace flush test" \
			-- "$cur"))
		return ;;
	-t|-k)
		return ;;
	esac
	COMPREPLY=($(compgen -W "-d -e -h -j -n -v -V -f -F -k -s -t -T" \
		-- "$cur"))
}
complete -F _pflctl pflctl
